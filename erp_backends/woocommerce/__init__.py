"""WooCommerce as the web shop: its REST API v3 client, the ShopBackend adapter, an emulator."""
