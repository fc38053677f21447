"""SHACL Core + SHACL-SPARQL validation compiled to SPARQL and evaluated by Oxigraph.

from ingest.shacl import Shapes
shapes = Shapes.from_rdflib(shapes_graph)       # ShapesError if the shapes graph is ill-formed
report = shapes.validate(store, focus=None)     # a pyoxigraph.Store, or anything with .query(sparql)
report.conforms, report.results, report.to_rdflib(), report.to_quads()
"""

from .api import Shapes
from .engine import ValidationFailure
from .paths import Path
from .report import ValidationReport, ValidationResult
from .shapes import ShapesError

__all__ = ["Path", "Shapes", "ShapesError", "ValidationFailure", "ValidationReport", "ValidationResult"]
