namespace Etcd.Mvcc;

/// <summary>Answers whether a lease exists, so a put naming a missing lease can be refused.</summary>
public interface ILeaseLookup
{
    /// <summary>True when a lease with id <paramref name="leaseId"/> (never 0) is granted and not revoked.</summary>
    bool Exists(long leaseId);
}
