"""The Service allocation page's sections.

* ``state``: the page's session state and its link (read once, written every run);
* ``controls``: the scenario (name, budget, method and parameters) and its checks;
* ``catalogue``: the service catalogue editor;
* ``files``: scenario files, the "current allocation" upload and the comparison list;
* ``summary``, ``need``, ``distance``, ``former_ccgs``, ``compare``: the five tabs.

``common`` holds what several of them share: the :class:`~common.Run` every tab draws
from, unit names in words and the page's wording.
"""
