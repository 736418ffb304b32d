"""Root fixtures. Nothing here imports Django, so connector tests run without it."""
