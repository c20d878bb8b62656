"""What the web app needs that is not Streamlit: experiment reports, the shared job queue, the upload gate."""
