"""danvan: a knowledge graph of who helps which village, under which plan, with which model.

>>> import danvan
>>> danvan.__version__
'0.1.0'
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
