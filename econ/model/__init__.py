"""The linked model: five stages over the same draws, and the linker that runs them.

``econ.model.world`` links the stages (``assess``, ``evaluate``, ``draw``); ``econ.model.stage`` is the
contract each stage implements; each stage is a package of its own (declaration, model, results).
Presentation (labels, pages, files) lives outside this package and reads its figures.
"""
