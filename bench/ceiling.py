"""What bench/load.py serves: the application with one more route, a trivial one: the ceiling.

That route goes through the same gunicorn, workers, configuration, Flask and request hooks as the
pages, but touches neither the database nor a template: its rate is what this machine and server
can do at best, against which the pages are measured. It exists only here, never in the
application.

    gunicorn -c deploy/gunicorn.conf.py bench.ceiling:app
"""

from wsgi import app

PATH = "/_bench/plafond"


@app.get(PATH)
def bench_ceiling():
    return "ok\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
