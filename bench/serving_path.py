"""Where a light query's time goes, hop by hop: the figures behind the README's "The serving path".

On a generated store (default ~100 k triples, on disk), the point look-up of bench/queries.py with a different
company each time, median of N runs of each stage, in one process:
- the guard's scan (graph/guard.py) and the policy check;
- the query and its JSON in this process (pyoxigraph on the store, worker.execute);
- the same through a thread (as a web server's thread pool adds);
- a worker process through a thread (ProcessEngine.run, the heavy queries' path);
- a worker process awaited from the event loop (ProcessEngine.run_async, queries with a short text);
- the same query answered in the serving process (run_async with the guard's one-pattern text: the light path);
- the whole app in process (httpx over ASGITransport: routing, negotiation, client slot, middleware), with the
  light path and, in the same run, with it switched off (every query to a worker, as before issue 16's 5th session).

    python -m bench.serving_path                   # ~100 k triples, 2000 runs per stage
    python -m bench.serving_path --triples 1000000 --runs 500
    python -m bench.serving_path --middleware      # also the whole app without each of its own middleware

Bounded: a temporary store, removed at the end; nothing listens on a port.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench import generate  # noqa: E402
from bench.queries import MIX  # noqa: E402

JSON = "application/sparql-results+json"


def median_us(samples: list[float]) -> float:
    return statistics.median(samples) * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--triples", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--middleware", action="store_true",
                        help="also measure the whole app without the access log, without CORS, and without both")
    args = parser.parse_args(argv)

    import httpx

    from chainkg.api.app import create_app
    from chainkg.graph import guard, worker
    from chainkg.graph.engine import ProcessEngine
    from chainkg.graph.settings import Settings
    from chainkg.graph.sparql import Request, SparqlService
    from chainkg.graph.store import KnowledgeGraph
    from chainkg.graph.worker import Job

    with tempfile.TemporaryDirectory(prefix="chainkg-serving-path-") as work:
        settings = Settings(store=str(Path(work) / "store"), load_shipped=False, query_workers=3)
        kg = KnowledgeGraph(settings)
        generate.load(kg, generate.companies_for(args.triples))
        companies = [s["c"].value for s in kg.store.query(
            "SELECT DISTINCT ?c WHERE { ?c a <https://w3id.org/chainkg/ontology#Company> } LIMIT 1000")]
        lookup = MIX[0]
        texts = lookup.texts({"company": companies})
        rng = random.Random(1)

        def text() -> str:
            return rng.choice(texts)

        def job() -> Job:
            return Job(text(), JSON, max_rows=settings.max_rows, timeout_s=settings.query_timeout_s)

        figures: dict[str, float] = {}

        def stage(name: str, run) -> None:
            for _ in range(min(200, args.runs)):  # warm-up
                run()
            samples = []
            for _ in range(args.runs):
                started = time.perf_counter()
                run()
                samples.append(time.perf_counter() - started)
            figures[name] = median_us(samples)
            print(f"{name:48} {figures[name]:8.0f} µs", flush=True)

        engine = ProcessEngine(kg)
        service = SparqlService(kg, engine)
        try:
            stage("guard: scan + policy", lambda: service.inspect(Request(text())))
            stage("guard: scan only", lambda: guard.shape(text(), kg.prefixes, settings.base_iri))
            stage("query + JSON in process", lambda: worker.execute(kg.store, job(), prefixes=kg.prefixes,
                                                                     base_iri=settings.base_iri))
            with ThreadPoolExecutor(4) as pool:
                stage("query + JSON via a thread", lambda: pool.submit(
                    worker.execute, kg.store, job(), prefixes=kg.prefixes, base_iri=settings.base_iri).result())
                stage("worker process via a thread (run)", lambda: pool.submit(engine.run, job()).result())
            loop = asyncio.new_event_loop()
            if hasattr(engine, "run_async"):  # since issue 16 (so this script also measures the code before it)
                stage("worker process from the loop (run_async)",
                      lambda: loop.run_until_complete(engine.run_async(job())))
            if hasattr(engine, "_answer_here"):
                def light() -> None:
                    request = Request(text())
                    found = service.inspect(request)
                    loop.run_until_complete(service.query_async(request, JSON, found))

                stage("scan + answered here (light path)", light)
            engine.close()  # the app starts its own

            app = create_app(settings, kg)
            client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")

            async def whole() -> None:
                response = await client.get("/sparql", params={"query": text()}, headers={"Accept": JSON})
                assert response.status_code == 200, response.text

            async def measure(name: str) -> None:
                for _ in range(min(200, args.runs)):
                    await whole()
                samples = []
                for _ in range(args.runs):
                    started = time.perf_counter()
                    await whole()
                    samples.append(time.perf_counter() - started)
                figures[name] = median_us(samples)
                print(f"{name:48} {figures[name]:8.0f} µs", flush=True)

            async def lifespan_and_run() -> None:
                async with app.router.lifespan_context(app):
                    served = app.state.sparql.engine
                    if served is None or not hasattr(served, "_answer_here"):
                        await measure("whole app over ASGITransport")
                        return
                    for round_ in (1, 2):  # alternated, so a change of load hits both
                        await measure(f"whole app, light path (round {round_})")
                        served._answer_here = lambda job, light: None
                        await measure(f"whole app, every query to a worker (round {round_})")
                        del served._answer_here

            loop.run_until_complete(lifespan_and_run())
            loop.run_until_complete(client.aclose())
            if args.middleware:
                loop.run_until_complete(without_middleware(create_app, settings, kg, text, args.runs, figures))
            loop.close()
        finally:
            engine.close()  # again: harmless
        print(f"({args.runs} runs per stage, median; {len(kg):,} quads; point look-up of {len(texts)} companies)")


async def without_middleware(create_app, settings, kg, text, runs: int, figures: dict[str, float]) -> None:
    """The whole app (light path on) with its own middleware removed: one app and engine, one middleware stack per
    variant, asked in turn request by request so a change of load hits all alike. Starlette's outermost
    ServerErrorMiddleware and its ExceptionMiddleware stay (they are the app)."""
    import httpx

    variants = {"every middleware": (), "without AccessLog": ("AccessLog",), "without CORS": ("CORSMiddleware",),
                "without AccessLog and CORS": ("AccessLog", "CORSMiddleware")}
    app = create_app(settings, kg)

    def stack_without(removed: tuple[str, ...]):
        kept = app.user_middleware
        app.user_middleware = [m for m in kept if m.cls.__name__ not in removed]
        stack = app.build_middleware_stack()
        app.user_middleware = kept

        async def asgi(scope, receive, send) -> None:
            scope["app"] = app
            await stack(scope, receive, send)
        return asgi

    clients = {name: httpx.AsyncClient(transport=httpx.ASGITransport(app=stack_without(removed)),
                                       base_url="http://bench") for name, removed in variants.items()}
    samples: dict[str, list[float]] = {name: [] for name in variants}
    warm = min(200, runs)
    async with app.router.lifespan_context(app):
        for round_ in range(warm + runs):
            for name, client in clients.items():
                started = time.perf_counter()
                response = await client.get("/sparql", params={"query": text()}, headers={"Accept": JSON})
                if round_ >= warm:
                    samples[name].append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
    for client in clients.values():
        await client.aclose()
    for name, values in samples.items():
        label = f"app {name}"
        figures[label] = median_us(values)
        print(f"{label:48} {figures[label]:8.0f} µs", flush=True)


if __name__ == "__main__":
    main()
