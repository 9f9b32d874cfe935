using System.Text;
using System.Threading.Channels;

namespace Appliance.Tests.Ctl;

/// <summary>A TextWriter that hands over each completed line as it is written, so a test can see
/// output while the command is still running.</summary>
internal sealed class LineCapture : TextWriter
{
    private readonly StringBuilder _line = new();
    private readonly Lock _lock = new();

    public Channel<string> Lines { get; } = Channel.CreateUnbounded<string>();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            if (value == '\n')
            {
                Lines.Writer.TryWrite(_line.ToString());
                _line.Clear();
            }
            else
                _line.Append(value);
        }
    }

    public Task<string> NextAsync() => Lines.Reader.ReadAsync().AsTask().WaitAsync(CtlRun.Timeout);
}
