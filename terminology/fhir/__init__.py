"""The FHIR wire: JSON and XML codecs, content negotiation, Parameters and OperationOutcome. No Flask here."""

__all__: list[str] = []
