"""The product catalog: vocabulary, the seeded default-catalog generator, loaders and importers."""
