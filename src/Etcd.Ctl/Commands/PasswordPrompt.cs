using System.Text;
using Etcd.Ctl.Output;

namespace Etcd.Ctl.Commands;

/// <summary>Reads a password from the terminal without echo (or a line from stdin when not a terminal).</summary>
public static class PasswordPrompt
{
    public static string Ask(string prompt, ConsoleOutput output)
    {
        output.Write(prompt);
        output.Flush();
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine() ?? "";
        }

        var password = new StringBuilder();
        while (true)
        {
            ConsoleKeyInfo key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }

                continue;
            }

            password.Append(key.KeyChar);
        }

        output.WriteLine();
        return password.ToString();
    }
}
