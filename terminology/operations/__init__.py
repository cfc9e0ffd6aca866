"""The terminology operations: plain functions over typed requests, free of Flask and of the wire format."""
