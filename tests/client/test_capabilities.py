"""Reading a CapabilityStatement into ServerCapabilities, and an OperationDefinition's input parameters."""

from __future__ import annotations

import pytest

from terminology.client import ClientError
from terminology.client.capabilities import read_capabilities, read_operation_parameters

TX_STYLE = {
    "resourceType": "CapabilityStatement",
    "software": {"name": "TxServer", "version": "3.0"},
    "fhirVersion": "4.0.1",
    "rest": [
        {"mode": "client", "interaction": [{"code": "batch"}]},
        {
            "mode": "server",
            "resource": [{"type": "ValueSet", "operation": [{"name": "$expand", "definition": "http://example.org/OperationDefinition/expand"}]}],
            "operation": [{"name": "batch-validate-code"}],
            "interaction": [{"code": "transaction"}],
        },
    ],
}


def test_operations_by_resource_type_and_on_the_whole_server():
    capabilities = read_capabilities(TX_STYLE)
    assert (capabilities.software_name, capabilities.software_version, capabilities.fhir_version) == ("TxServer", "3.0", "4.0.1")
    assert capabilities.offers("expand", "ValueSet") and not capabilities.offers("expand", "CodeSystem")
    assert capabilities.offers("batch-validate-code", "ValueSet")  # offered on the whole server
    assert capabilities.definition("expand", "ValueSet") == "http://example.org/OperationDefinition/expand"
    assert capabilities.definition("batch-validate-code", "ValueSet") is None
    assert not capabilities.batch  # the client's rest says batch, the server's does not
    assert capabilities.statement is TX_STYLE


def test_a_statement_that_says_nothing_offers_nothing():
    capabilities = read_capabilities({"resourceType": "CapabilityStatement"})
    assert (capabilities.software_name, capabilities.fhir_version, capabilities.batch) == (None, None, False)
    assert not capabilities.offers("lookup", "CodeSystem")


@pytest.mark.parametrize(
    ("statement", "said"),
    [
        ({"resourceType": "OperationOutcome"}, "not a CapabilityStatement"),
        ({"resourceType": "CapabilityStatement", "rest": {"mode": "server"}}, "rest is not a JSON array"),
        ({"resourceType": "CapabilityStatement", "rest": [{"mode": "server", "operation": [{"name": 3}]}]}, r"operation\[0\].name is not a string"),
    ],
)
def test_a_malformed_statement_is_a_client_error(statement, said):
    with pytest.raises(ClientError, match=said):
        read_capabilities(statement)


def test_the_input_parameters_of_an_operation_definition_found():
    definition = {"resourceType": "OperationDefinition", "parameter": [{"name": "date", "use": "in"}, {"name": "outcome", "use": "out"}]}
    assert read_operation_parameters({"resourceType": "Bundle", "entry": [{"resource": definition}]}) == {"date"}
    assert read_operation_parameters({"resourceType": "Bundle", "type": "searchset"}) == frozenset()
