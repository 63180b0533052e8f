"""The green-accounts pipeline: DK2020 KPI deliveries in, validated Danish green accounts out."""

__version__ = "0.1.0"
