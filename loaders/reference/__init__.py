"""Reference data: official administrative units and both maps (``admin_units``, ``admin_map``,
``places``), the curated knowledge base (``kb`` and the ``kb/`` files), and name resolution
(``resolver``, ``gazetteer``, ``bodies``, ``body_succession``) that the other loaders share."""
