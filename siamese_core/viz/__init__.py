"""Every Plotly figure the pages draw, and the 2-D projection of embeddings."""
