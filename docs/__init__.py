"""briefgen's guides, installed as the package `briefgen.docs` so that `briefgen help TOPIC`
and the hints in error messages point at a file every installation has. No code lives here."""
