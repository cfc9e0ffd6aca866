"""The terminology resources a server holds, as typed values: value sets, concept maps, code systems and
their supplements, each read once from FHIR JSON where it enters (``terminology.fhir.definitions``)."""

from typing import Union

from .code_system import CodeSystemDefinition, SupplementDefinition
from .concept_map import ConceptMapDefinition
from .metadata import ResourceMetadata
from .value_set import ValueSetDefinition

__all__ = ["CodeSystemDefinition", "ConceptMapDefinition", "Definition", "ResourceMetadata", "SupplementDefinition", "ValueSetDefinition"]

#: A resource a server holds, read.
Definition = Union[ValueSetDefinition, CodeSystemDefinition, SupplementDefinition, ConceptMapDefinition]
