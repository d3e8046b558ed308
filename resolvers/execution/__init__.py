"""How graphql-core executes the schema's operations: faster paths for common fields."""
