"""``pflegegraph push --endpoint URL [--graph IRI]``: load the graph into a remote store."""

from __future__ import annotations

import sys

from pflegegraph.errors import UserError


def register(sub, common):
    p = sub.add_parser(
        "push", parents=[common], help="load the graph into a remote SPARQL store",
        description="Load the graph into a remote SPARQL 1.1 store, replacing what the target "
                    "graphs held before. Without --graph every source file goes to its own named "
                    "graph (the same names as in the embedded store); with --graph everything "
                    "goes into that one graph. Pushing twice gives the same counts. The triples "
                    "go to staging graphs first and one final request swaps them in, so if the "
                    "push fails part-way (the store goes away, a request is refused) the previous "
                    "graphs stay as they were, and the message says what state the store is in. "
                    "Credentials: PFLEGEGRAPH_ENDPOINT_USER and PFLEGEGRAPH_ENDPOINT_PASSWORD.",
        epilog="exit codes: 0 pushed, and every graph holds as many triples as were sent; 1 a "
               "graph holds a different count, or an option is wrong; 2 unreadable input (missing "
               "file, broken Turtle); 3 the push failed part-way or did not start (the store could "
               "not be reached, refused a request or failed; the message says what the store holds "
               "now; push again when the store is back)")
    p.add_argument("--endpoint", help="SPARQL query endpoint URL (setting endpoint)")
    p.add_argument("--update-endpoint", help="SPARQL update endpoint URL (setting update_endpoint; "
                                             "default: the query endpoint)")
    p.add_argument("--graph", metavar="IRI", help="put every triple into this one named graph")
    p.add_argument("--method", choices=["update", "gsp"], default="update",
                   help="SPARQL 1.1 Update with a staging graph (default), or Graph Store "
                        "Protocol PUT")
    p.add_argument("--gsp-endpoint", metavar="URL",
                   help="Graph Store Protocol URL for --method gsp (Oxigraph: <server>/store)")
    p.add_argument("--auth", choices=["basic", "digest"], help="HTTP authentication (setting endpoint_auth)")
    p.add_argument("--batch", type=int, default=2000, metavar="N", help="triples per INSERT DATA request")
    p.set_defaults(run=run)


def run(args, settings) -> int:
    from pflegegraph.push import graphs_to_push, push_gsp, push_update
    from pflegegraph.remote import RemoteStore
    from pflegegraph.store import GraphStore

    settings = settings.replace(**{k: v for k, v in {
        "endpoint": args.endpoint, "update_endpoint": args.update_endpoint,
        "endpoint_auth": args.auth}.items() if v})
    if not settings.endpoint:
        raise UserError("push needs --endpoint URL (or PFLEGEGRAPH_ENDPOINT)")
    if args.batch < 1:
        raise UserError("--batch must be at least 1")
    remote = RemoteStore(settings.endpoint, settings.update_endpoint, settings.endpoint_user,
                         settings.endpoint_password, settings.endpoint_auth,
                         max(60.0, settings.query_timeout))
    store = GraphStore.from_settings(settings)
    graphs = graphs_to_push(store, args.graph)
    if args.method == "gsp":
        if not args.gsp_endpoint:
            raise UserError("--method gsp needs --gsp-endpoint URL")
        report = push_gsp(remote, args.gsp_endpoint, graphs)
    else:
        report = push_update(remote, graphs, args.batch)
    width = max(len(g.graph) for g in report.graphs)
    print(f"{'graph'.ljust(width)}  {'sent':>7}  {'before':>7}  {'after':>7}")
    for g in report.graphs:
        print(f"{g.graph.ljust(width)}  {g.sent:>7}  {g.before if g.before is not None else '-':>7}  "
              f"{g.after if g.after is not None else '-':>7}")
    print(f"pushed {report.sent} triples into {len(report.graphs)} graph(s) of {settings.endpoint} "
          f"with {report.method} in {report.requests} requests ({report.seconds:.1f} s); the store "
          f"now holds {report.stored} triples in them", file=sys.stderr)
    mismatched = [g for g in report.graphs if g.after != g.sent]
    if mismatched:
        print(f"pflegegraph: warning: {len(mismatched)} graph(s) hold a different number of triples "
              f"than were sent (first: <{mismatched[0].graph}>: sent {mismatched[0].sent}, "
              f"holds {mismatched[0].after})", file=sys.stderr)
        return 1
    return 0
