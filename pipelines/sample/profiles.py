"""Per-station knobs of the simulated sample: climate (weather truth) and market behaviour.

The station *list* always comes from ``domain.stations`` (the dbt seed); this module only holds
tuning parameters keyed by ICAO, with a generic default so a station added to the seed still
gets a sample without touching this file.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.stations import Station


@dataclass(frozen=True)
class ClimateProfile:
    """Climatology knobs of one station, all in °F unless stated.

    Attributes:
        annual_mean: mean of the daily mean temperature over the year.
        seasonal_amplitude: half the July-January swing of the daily mean.
        peak_day_of_year: day of year of the warmest daily mean (late for marine climates).
        diurnal_range: mean daily high minus daily low.
        diurnal_range_seasonal: extra range at the warm peak (negative: smaller in summer).
        anomaly_sd: standard deviation of the day-to-day (synoptic) anomaly.
        anomaly_phi: AR(1) persistence of the daily anomaly.
        dew_depression: mean temperature minus dew point.
        front_probability: share of days with a frontal passage (extreme near midnight).
        front_scale: scales frontal temperature jumps (Miami's fronts are weak).
        convective_probability: summer share of days with a thunderstorm outflow drop.
        minute_noise_sd: short-term (minute-scale) wiggle of the thermometer.
        hour_of_min: local-standard hour of the usual daily minimum (near sunrise).
        hour_of_max: local-standard hour of the usual daily maximum.
        forecast_sd: day-ahead forecast error of the settlement value.
        cli_issue_minute: usual issuance time of the final CLI, minutes after LST midnight of
            the next day (Midway's real CLIs go out about 00:35 LST; most offices nearer 06:30).
        awips_header: the CLI's WMO header (``CDUS43`` for Chicago...).
    """

    annual_mean: float = 55.0
    seasonal_amplitude: float = 20.0
    peak_day_of_year: int = 200
    diurnal_range: float = 17.0
    diurnal_range_seasonal: float = 0.0
    anomaly_sd: float = 6.0
    anomaly_phi: float = 0.7
    dew_depression: float = 12.0
    front_probability: float = 0.10
    front_scale: float = 1.0
    convective_probability: float = 0.08
    minute_noise_sd: float = 0.5
    hour_of_min: float = 6.0
    hour_of_max: float = 15.0
    forecast_sd: float = 2.6
    cli_issue_minute: int = 390
    awips_header: str = "CDUS40"


@dataclass(frozen=True)
class MarketProfile:
    """How efficiently the simulated Kalshi market prices one station.

    The market's belief about the settlement value uses information that is ``lag_minutes`` old
    (running extreme so far, remaining-day outlook) plus AR(1) belief noise. A short lag and
    little noise make an efficient market a go/kill gate should KILL; a long lag leaves late-day
    mispricings after the extreme is set that an observation-driven strategy can capture.

    Attributes:
        lag_minutes: how stale the market's view of the thermometer is.
        belief_noise_sd: °F of noise on the market's central estimate.
        spread_cents: (narrowest, widest) quoted spread, in cents.
        requote_cents: the quote moves only when fair value moved at least this much.
        trades_per_market: expected trades per market over its life.
    """

    lag_minutes: int = 60
    belief_noise_sd: float = 0.6
    spread_cents: tuple[int, int] = (2, 4)
    requote_cents: float = 3.0
    trades_per_market: float = 4.0


_CLIMATE: dict[str, ClimateProfile] = {
    # Continental, windy spring, muggy summer.
    "KMDW": ClimateProfile(
        annual_mean=51.0,
        seasonal_amplitude=23.5,
        peak_day_of_year=200,
        diurnal_range=17.0,
        anomaly_sd=7.5,
        dew_depression=11.0,
        front_probability=0.12,
        cli_issue_minute=35,
        awips_header="CDUS43",
    ),
    # Coastal-continental, slightly damped.
    "KNYC": ClimateProfile(
        annual_mean=56.0,
        seasonal_amplitude=21.0,
        peak_day_of_year=203,
        diurnal_range=15.0,
        anomaly_sd=6.5,
        dew_depression=12.0,
        front_probability=0.10,
        cli_issue_minute=385,
        awips_header="CDUS41",
    ),
    # Warm and flat: small seasonal swing, small anomalies, afternoon storms in summer.
    "KMIA": ClimateProfile(
        annual_mean=77.5,
        seasonal_amplitude=6.5,
        peak_day_of_year=210,
        diurnal_range=12.0,
        diurnal_range_seasonal=-1.5,
        anomaly_sd=2.3,
        anomaly_phi=0.6,
        dew_depression=7.0,
        front_probability=0.04,
        front_scale=0.4,
        convective_probability=0.35,
        minute_noise_sd=0.4,
        hour_of_max=14.0,
        forecast_sd=1.7,
        awips_header="CDUS42",
    ),
    # Marine layer: late seasonal peak, small range, late morning warm-up, early max.
    "KLAX": ClimateProfile(
        annual_mean=64.0,
        seasonal_amplitude=5.5,
        peak_day_of_year=232,
        diurnal_range=11.0,
        diurnal_range_seasonal=-1.0,
        anomaly_sd=3.0,
        anomaly_phi=0.75,
        dew_depression=9.0,
        front_probability=0.05,
        front_scale=0.5,
        convective_probability=0.0,
        minute_noise_sd=0.35,
        hour_of_min=6.5,
        hour_of_max=13.0,
        forecast_sd=2.0,
        awips_header="CDUS46",
    ),
    # Hot, big range, summer storms.
    "KAUS": ClimateProfile(
        annual_mean=69.5,
        seasonal_amplitude=16.5,
        peak_day_of_year=215,
        diurnal_range=22.0,
        anomaly_sd=5.0,
        dew_depression=14.0,
        front_probability=0.09,
        convective_probability=0.15,
        minute_noise_sd=0.5,
        hour_of_max=16.0,
        forecast_sd=2.3,
        awips_header="CDUS44",
    ),
    # High plains: dry, very large diurnal range, volatile spring.
    "KDEN": ClimateProfile(
        annual_mean=50.5,
        seasonal_amplitude=22.0,
        peak_day_of_year=198,
        diurnal_range=28.0,
        diurnal_range_seasonal=2.0,
        anomaly_sd=9.0,
        anomaly_phi=0.6,
        dew_depression=26.0,
        front_probability=0.14,
        front_scale=1.2,
        convective_probability=0.20,
        minute_noise_sd=0.8,
        forecast_sd=3.4,
        awips_header="CDUS45",
    ),
    "KPHL": ClimateProfile(
        annual_mean=56.5,
        seasonal_amplitude=21.5,
        peak_day_of_year=203,
        diurnal_range=17.0,
        anomaly_sd=6.5,
        dew_depression=12.0,
        front_probability=0.10,
        awips_header="CDUS41",
    ),
}

# Two efficient stations (the gate should KILL them), the rest lag the thermometer by 1-2.5 h
# with noisier beliefs (late-day mispricings an observation-driven strategy can find).
_MARKET: dict[str, MarketProfile] = {
    "KNYC": MarketProfile(
        lag_minutes=5,
        belief_noise_sd=0.25,
        spread_cents=(1, 3),
        requote_cents=2.0,
        trades_per_market=6.0,
    ),
    "KMDW": MarketProfile(
        lag_minutes=10,
        belief_noise_sd=0.3,
        spread_cents=(1, 3),
        requote_cents=2.0,
        trades_per_market=6.0,
    ),
    "KPHL": MarketProfile(lag_minutes=45, belief_noise_sd=0.5),
    "KLAX": MarketProfile(lag_minutes=75, belief_noise_sd=0.6),
    "KMIA": MarketProfile(lag_minutes=120, belief_noise_sd=0.7, spread_cents=(2, 5)),
    "KAUS": MarketProfile(lag_minutes=150, belief_noise_sd=0.8, spread_cents=(2, 5)),
    "KDEN": MarketProfile(
        lag_minutes=120, belief_noise_sd=1.0, spread_cents=(3, 6), trades_per_market=3.0
    ),
}

_DEFAULT_HEADER_BY_OFFSET = {-5: "CDUS41", -6: "CDUS43", -7: "CDUS45", -8: "CDUS46"}


def climate_profile(station: Station) -> ClimateProfile:
    """The climate knobs of a station (a generic mid-latitude profile if not tuned)."""
    profile = _CLIMATE.get(station.icao)
    if profile is not None:
        return profile
    header = _DEFAULT_HEADER_BY_OFFSET.get(station.std_utc_offset_hours, "CDUS40")
    return ClimateProfile(awips_header=header)


def market_profile(station: Station) -> MarketProfile:
    """The market-efficiency knobs of a station (a middling lagging market if not tuned)."""
    return _MARKET.get(station.icao, MarketProfile())
