using System.Diagnostics;
using Etcd.Api.Etcdserverpb;
using Etcd.Api.Text;
using Etcd.Client;
using Etcd.Ctl.Cli;
using Etcd.Ctl.Printers;

namespace Etcd.Ctl.Commands;

/// <summary>endpoint health, status and hashkv.</summary>
public static class EndpointCommands
{
    public static readonly FlagSpec ClusterFlag = FlagSpec.Bool("cluster", "use all endpoints from the cluster member list");

    public static CommandSpec Create() => new()
    {
        Name = "endpoint",
        Use = "endpoint <subcommand>",
        Short = "Endpoint related commands",
        PersistentFlags = [ClusterFlag],
        Subcommands =
        [
            new CommandSpec
            {
                Name = "health",
                Use = "health",
                Short = "Checks the healthiness of endpoints specified in `--endpoints` flag",
                Run = RunHealth,
            },
            new CommandSpec
            {
                Name = "status",
                Use = "status",
                Short = "Prints out the status of endpoints specified in `--endpoints` flag",
                Long = """
                    When --write-out is set to simple, this command prints out comma-separated status lists for each endpoint.
                    The items in the lists are endpoint, ID, version, db size, is leader, is learner, raft term, raft index, raft applied index, errors.

                    """,
                Run = RunStatus,
            },
            new CommandSpec
            {
                Name = "hashkv",
                Use = "hashkv",
                Short = "Prints the KV history hash for each endpoint in --endpoints",
                PersistentFlags = [FlagSpec.Int64("rev", 0, "maximum revision to hash (default: all revisions)")],
                Run = RunHashKV,
            },
        ],
    };

    /// <summary>--endpoints, or with --cluster the client URLs of every member.</summary>
    public static async Task<IReadOnlyList<string>> EndpointsFromCluster(CommandContext ctx)
    {
        if (!ctx.Flags.GetBool("cluster"))
        {
            return ctx.Endpoints();
        }

        // Listing members needs no authentication, so no password is asked for here.
        using EtcdClient client = EtcdClient.Create(ctx.ClientOptions(withAuth: false));
        MemberListResponse members;
        try
        {
            members = await ctx.CallAsync(client, d => client.Cluster.MemberListAsync(new MemberListRequest(), deadline: d)).ConfigureAwait(false);
        }
        catch (CallFailedException e)
        {
            throw new CtlExitException(ExitCode.Error, "failed to fetch endpoints from etcd cluster member list: " + e.Message);
        }

        var endpoints = new List<string>();
        foreach (Member m in members.Members)
        {
            endpoints.AddRange(m.ClientURLs);
        }

        return endpoints;
    }

    private static async Task RunHealth(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        ctx.ApplyEnvironment();
        _ = ctx.Printer;
        IReadOnlyList<string> endpoints = await EndpointsFromCluster(ctx).ConfigureAwait(false);
        var checks = new List<Task<EndpointHealthResult>>(endpoints.Count);
        foreach (string endpoint in endpoints)
        {
            checks.Add(CheckHealth(ctx, endpoint));
        }

        var results = new List<EndpointHealthResult>(await Task.WhenAll(checks).ConfigureAwait(false));
        ctx.Printer.EndpointHealth(results);
        foreach (EndpointHealthResult r in results)
        {
            if (r.Error.Length > 0)
            {
                throw new CtlExitException(ExitCode.Error, "unhealthy cluster");
            }
        }
    }

    // Healthy means a linearizable read went through consensus (permission denied still proves that)
    // and no alarm is raised.
    private static async Task<EndpointHealthResult> CheckHealth(CommandContext ctx, string endpoint)
    {
        EtcdClient client;
        try
        {
            client = await EtcdClient.ConnectAsync(ctx.ClientOptions([endpoint])).ConfigureAwait(false);
        }
        catch (Grpc.Core.RpcException e)
        {
            return new EndpointHealthResult(endpoint, false, "", EtcdErrorText.Describe(e));
        }

        using (client)
        {
            var watch = Stopwatch.StartNew();
            string error = "";
            try
            {
                var probe = new RangeRequest { Key = KvRequests.Bytes("health") };
                await ctx.CallAsync(client, d => client.KV.RangeAsync(probe, deadline: d)).ConfigureAwait(false);
            }
            catch (CallFailedException e) when (e.Message != "etcdserver: permission denied")
            {
                error = e.Message;
            }
            catch (CallFailedException)
            {
            }

            string took = GoDuration.Format(watch.Elapsed);
            if (error.Length == 0)
            {
                try
                {
                    var alarms = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get };
                    AlarmResponse raised = await ctx.CallAsync(client, d => client.Maintenance.AlarmAsync(alarms, deadline: d)).ConfigureAwait(false);
                    if (raised.Alarms.Count > 0)
                    {
                        var names = new List<string>();
                        foreach (AlarmMember a in raised.Alarms)
                        {
                            names.Add(SimplePrinter.AlarmName(a.Alarm));
                        }

                        error = "Active Alarm(s): " + string.Join(", ", names);
                    }
                }
                catch (CallFailedException e)
                {
                    error = "Unable to fetch the alarm list: " + e.Message;
                }
            }

            return new EndpointHealthResult(endpoint, error.Length == 0, took, error);
        }
    }

    private static async Task RunStatus(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var results = new List<EndpointStatusResult>();
        bool failed = false;
        foreach (string endpoint in await EndpointsFromCluster(ctx).ConfigureAwait(false))
        {
            using EtcdClient member = client.ForEndpoint(endpoint);
            try
            {
                StatusResponse status = await ctx.CallAsync(member, d => member.Maintenance.StatusAsync(new StatusRequest(), deadline: d)).ConfigureAwait(false);
                results.Add(new EndpointStatusResult(endpoint, status));
            }
            catch (CallFailedException e)
            {
                failed = true;
                ctx.Out.Flush();
                ctx.Err.WriteLine("Failed to get the status of endpoint " + endpoint + " (" + e.Message + ")");
            }
        }

        ctx.Printer.EndpointStatus(results);
        if (failed)
        {
            throw new CtlExitException(ExitCode.Error, null);
        }
    }

    private static async Task RunHashKV(Invocation invocation)
    {
        var ctx = new CommandContext(invocation);
        using EtcdClient client = await ctx.ConnectAsync().ConfigureAwait(false);
        var results = new List<EndpointHashResult>();
        string? lastError = null;
        var request = new HashKVRequest { Revision = ctx.Flags.GetInt64("rev") };
        foreach (string endpoint in await EndpointsFromCluster(ctx).ConfigureAwait(false))
        {
            using EtcdClient member = client.ForEndpoint(endpoint);
            try
            {
                HashKVResponse hash = await ctx.CallAsync(member, d => member.Maintenance.HashKVAsync(request, deadline: d)).ConfigureAwait(false);
                results.Add(new EndpointHashResult(endpoint, hash));
            }
            catch (CallFailedException e)
            {
                lastError = e.Message;
                ctx.Out.Flush();
                ctx.Err.WriteLine("Failed to get the hash of endpoint " + endpoint + " (" + e.Message + ")");
            }
        }

        ctx.Printer.EndpointHashKV(results);
        if (lastError is not null)
        {
            throw new CtlExitException(ExitCode.Error, lastError);
        }
    }
}
