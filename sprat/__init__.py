"""sprat's command line and the host side of its tools."""
