"""Tests for claims.ingest: uploads and URL fetching, no database needed."""
