"""HTTP only: thin FastAPI routes over graph/. No SPARQL text and no store logic here."""
