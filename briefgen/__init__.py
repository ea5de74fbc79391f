"""briefgen: sourced policy-brief content → professionally typeset PDF and HTML."""

__version__ = "0.1.0"
