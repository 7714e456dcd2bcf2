using Etcd.Api.Etcdserverpb;
using Etcd.Mvcc;
using Etcd.Storage.Backend;
using Google.Protobuf;

namespace Etcd.Server.State;

/// <summary>
/// The cluster's active alarms (etcd's alarm store): (member, alarm type) pairs, changed only by
/// applied entries and kept in the Alarm bucket in the same batch, so every member agrees on
/// them and they survive restarts. While NOSPACE is raised, writes that would grow the store fail.
/// </summary>
public sealed class AlarmList
{
    private volatile AlarmMember[] _alarms;

    private AlarmList(AlarmMember[] alarms) => _alarms = alarms;

    /// <summary>Reads the alarms the backend holds.</summary>
    public static AlarmList Load(IBackend backend) => new(Read(backend));

    /// <summary>Takes the alarms of a backend that replaced the old one (a snapshot from the leader).</summary>
    public void Reload(IBackend backend) => _alarms = Read(backend);

    private static AlarmMember[] Read(IBackend backend)
    {
        var alarms = new List<AlarmMember>();
        using var snapshot = backend.Snapshot();
        snapshot.Scan(Bucket.Alarm, [], [], (key, _) =>
        {
            alarms.Add(AlarmMember.Parser.ParseFrom(key));
            return true;
        });
        return [.. alarms];
    }

    public IReadOnlyList<AlarmMember> All => _alarms;

    public bool IsRaised(AlarmType type)
    {
        foreach (var alarm in _alarms)
        {
            if (alarm.Alarm == type) return true;
        }
        return false;
    }

    /// <summary>Applies an alarm request; the response lists the alarms it changed (or all, for GET), as etcd's does.</summary>
    public AlarmResponse Apply(ApplyBatch batch, AlarmRequest request)
    {
        var response = new AlarmResponse { Header = new ResponseHeader { Revision = batch.Revision } };
        var target = new AlarmMember { MemberID = request.MemberID, Alarm = request.Alarm };
        switch (request.Action)
        {
            case AlarmRequest.Types.AlarmAction.Get:
                foreach (var alarm in _alarms)
                {
                    if (request.Alarm == AlarmType.None || alarm.Alarm == request.Alarm) response.Alarms.Add(alarm);
                }
                break;
            case AlarmRequest.Types.AlarmAction.Activate:
                if (request.Alarm == AlarmType.None) break;
                if (Array.FindIndex(_alarms, a => a.Equals(target)) < 0)
                {
                    batch.PutBucketEntry(Bucket.Alarm, target.ToByteArray(), []);
                    _alarms = [.. _alarms, target];
                }
                response.Alarms.Add(target);
                break;
            case AlarmRequest.Types.AlarmAction.Deactivate:
                if (Array.FindIndex(_alarms, a => a.Equals(target)) < 0) break;
                batch.DeleteBucketEntry(Bucket.Alarm, target.ToByteArray());
                _alarms = Array.FindAll(_alarms, a => !a.Equals(target));
                response.Alarms.Add(target);
                break;
        }
        return response;
    }

    /// <summary>etcd's text for an alarm in Status errors ("memberID:N alarm:NOSPACE ").</summary>
    public static string Describe(AlarmMember alarm) => $"memberID:{alarm.MemberID} alarm:{AlarmName(alarm.Alarm)} ";

    public static string AlarmName(AlarmType type) => type switch
    {
        AlarmType.Nospace => "NOSPACE",
        AlarmType.Corrupt => "CORRUPT",
        _ => "NONE",
    };
}
