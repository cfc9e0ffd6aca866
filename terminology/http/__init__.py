"""The FHIR REST API over plain HTTP values, with no web framework: the Flask blueprint (``web/``)
and the standalone server's WSGI entry (``wsgi.py``) both hand their requests to the
:class:`~terminology.http.dispatcher.Dispatcher`.

``messages`` the request and response values; ``router`` which view answers a path; ``views``
read a request, call an operation, return its resource; ``rendering`` writes it in the negotiated
format; ``request_resources`` layers a request's ``tx-resource`` over the server's registry.
"""
