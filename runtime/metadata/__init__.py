"""App metadata: load a package, validate it, and read it through a typed model::

    package = load_package("crm_sales.zip")  # files -> JSON documents
    app = validate_app(package.source, installed)  # every error at once, or an App
    scope = EntityScope(app, "opportunity", installed)  # names for the expression checker
"""

from runtime.metadata.loader import Package
from runtime.metadata.loader import load_package
from runtime.metadata.model import App
from runtime.metadata.model import Entity
from runtime.metadata.model import Field
from runtime.metadata.model import build_app
from runtime.metadata.scope import EntityScope
from runtime.metadata.validate import app_problems
from runtime.metadata.validate import validate_app

__all__ = [
    "App",
    "Entity",
    "EntityScope",
    "Field",
    "Package",
    "app_problems",
    "build_app",
    "load_package",
    "validate_app",
]
