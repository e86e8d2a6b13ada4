"""Function views, grouped by feature: desk (dashboard), articles, claims."""
