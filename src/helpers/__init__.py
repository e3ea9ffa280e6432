"""Systematisk uppföljning: helpers behind the notebooks, the pipeline and the report."""
