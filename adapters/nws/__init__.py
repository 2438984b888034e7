"""NWS api.weather.gov client: points -> gridpoint forecast periods."""
