"""Fetching and discovery: the one fetcher, its address policy and robots.txt, URL
canonicalization, feeds/sitemaps/listings, and reading local inputs."""
