"""Qt views: one module per lesson tab, shared widgets, the theme and the main window."""
