"""The JSON API routers."""
