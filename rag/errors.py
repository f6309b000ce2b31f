"""Domain exceptions: raised in the core, turned into messages only at the CLI and UI."""


class ClusterQAError(Exception):
    """Base class for every error ClusterQA reports to a person."""


class ConfigError(ClusterQAError):
    """The configuration is invalid or does not match the index."""


class LoadError(ClusterQAError):
    """A file could not be turned into a document; the message says why in plain words."""


class StoreError(ClusterQAError):
    """The index store (Chroma) could not be opened, read or written."""


class IndexMismatchError(ConfigError):
    """The index was built with other model or chunk settings than the configuration."""


class IndexBusyError(ClusterQAError):
    """Another ingest holds the index lock."""


class QueryError(ClusterQAError):
    """A question or its filters cannot be used as given."""


class LLMError(ClusterQAError):
    """The configured LLM endpoint failed, timed out or answered something unusable."""


class FetchError(ClusterQAError):
    """An address could not be fetched or was refused; the message starts with the reason in plain words."""
