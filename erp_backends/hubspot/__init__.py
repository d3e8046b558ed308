"""HubSpot as the CRM: the CRM v3/v4 client, the CrmBackend adapter and an emulator."""
