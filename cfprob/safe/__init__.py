"""Keeping a user's data safe, below everything else: files written atomically and never overwritten by
surprise (:mod:`~cfprob.safe.files`), the seal every saved file ends with (:mod:`~cfprob.safe.seal`), content
checksums of fits (:mod:`~cfprob.safe.checksum`), and scenario text made harmless for the terminal, HTML,
Markdown and BBCode (:mod:`~cfprob.safe.neutralise`)."""
