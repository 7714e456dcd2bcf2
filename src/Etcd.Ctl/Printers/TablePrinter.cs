using Etcd.Api.Etcdserverpb;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Printers;

/// <summary>Bordered tables (-w table); etcdctl offers them for membership and endpoint commands only.</summary>
public sealed class TablePrinter(ConsoleOutput output) : Printer("table", output)
{
    public override void MemberList(MemberListResponse r) => Render(Tables.MemberHeader, Tables.MemberRows(r));

    public override void EndpointHealth(IReadOnlyList<EndpointHealthResult> r) => Render(Tables.HealthHeader, Tables.HealthRows(r));

    public override void EndpointStatus(IReadOnlyList<EndpointStatusResult> r) => Render(Tables.StatusHeader, Tables.StatusRows(r));

    public override void EndpointHashKV(IReadOnlyList<EndpointHashResult> r) => Render(Tables.HashHeader, Tables.HashRows(r));

    private void Render(string[] header, List<string[]> rows)
    {
        var table = new TextTable(header);
        foreach (string[] row in rows)
        {
            table.Append(row);
        }

        table.Render(Out);
    }
}
