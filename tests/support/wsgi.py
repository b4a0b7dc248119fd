def close_after_body(wsgi_app):
    """Close each response as soon as its body is written, as PEP 3333 requires.

    Werkzeug's development server (3.1, serving.py, run_wsgi.execute) drains the socket before
    calling close(); when Chromium resets the connection after a redirect, that read raises and
    close() is skipped, and with it Flask's call_on_close, hence the app's immediate delivery.
    Gunicorn, the production server, closes the body first.
    """
    def app(environ, start_response):
        body = wsgi_app(environ, start_response)

        def chunks():
            try:
                yield from body
            finally:
                body.close()
        return chunks()
    return app
