"""The products app: the CQRS inventory (write/, read/, web/, api/, background/, imports/, db/)."""
