"""The unit tier: the ``layers`` library on hand-made data with known answers, real-data
facts and the reference suites. Nothing here starts a server or a browser."""
