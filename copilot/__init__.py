"""The copilot: an assistant beside e-commerce customer-service agents."""
