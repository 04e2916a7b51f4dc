"""The ground floor: what every layer may use (errors, the clock, paths, the ward profile, geometry, postcodes,
secrets, the network guard, logs, files, text). It imports nothing else of the app."""
