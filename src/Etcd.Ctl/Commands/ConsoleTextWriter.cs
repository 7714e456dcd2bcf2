using System.Text;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Commands;

/// <summary>etcdutl's logger and progress write text; etcdctl's stderr takes bytes, flushed as they come.</summary>
public sealed class ConsoleTextWriter(ConsoleOutput output) : TextWriter
{
    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value) => Write(value.ToString());

    public override void Write(string? value)
    {
        if (value is null)
        {
            return;
        }

        output.Write(value);
        output.Flush();
    }
}
