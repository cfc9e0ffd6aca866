"""The baseline of the benchmarks: a bare Flask endpoint that returns a fixed Parameters body."""

from flask import Flask, Response

app = Flask(__name__)

_BODY = (
    b'{"resourceType":"Parameters","parameter":[{"name":"result","valueBoolean":true},'
    b'{"name":"code","valueCode":"M48.48XA"},{"name":"system","valueUri":"http://hl7.org/fhir/sid/icd-10-cm"},'
    b'{"name":"version","valueString":"2026"},{"name":"display","valueString":"Fatigue fracture of vertebra, '
    b'sacral and sacrococcygeal region, initial encounter for fracture"}]}'
)


@app.route("/fhir/CodeSystem/$validate-code")
def validate_code() -> Response:
    return Response(_BODY, content_type="application/fhir+json; charset=utf-8")
