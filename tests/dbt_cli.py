"""dbt's command line for the tests: a saved parse is reused whatever the warehouse file.

dbt reuses a saved parse (``partial_parse.msgpack``) only when the profile's connection is
unchanged, and the connection includes the DuckDB path, so each throwaway warehouse would cost a
full parse of the project (about 15 s of CPU). Nothing in this project's Jinja reads the path
(``target.path``), so here the check leaves it out; the file name still counts (it names the
catalog). Run as ``python -m tests.dbt_cli <dbt arguments>``.
"""

from __future__ import annotations

import pprint
import sys

from dbt.artifacts.resources import FileHash
from dbt.cli.main import cli
from dbt.contracts.graph.manifest import ManifestStateCheck
from dbt.parser.manifest import ManifestLoader

_state_check = ManifestLoader.build_manifest_state_check


def _state_check_without_path(self: ManifestLoader) -> ManifestStateCheck:
    state = _state_check(self)
    # dbt's own hash (build_manifest_state_check), less the path
    keys = sorted(
        (key, value)
        for key, value in self.root_project.credentials.connection_info()
        if key != "path"
    )
    state.profile_hash = FileHash.from_contents(pprint.pformat(keys))
    return state


if __name__ == "__main__":
    ManifestLoader.build_manifest_state_check = _state_check_without_path  # type: ignore[method-assign]
    sys.argv[0] = "dbt"  # its messages name the command as dbt's own script does
    sys.exit(cli())
