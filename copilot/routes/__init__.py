"""HTTP routes: each module holds one resource; routes only translate HTTP to library calls."""
