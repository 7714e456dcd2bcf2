using System.Collections;
using System.Globalization;
using System.Text;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace Etcd.Server.JsonGateway;

/// <summary>
/// Renders a message as etcd's gateway does (grpc-gateway's JSONPb with OrigName): compact, proto
/// field names in declaration order, zero values left out (a set oneof member or message is kept),
/// 64-bit integers as strings, bytes as standard base64, enums by name.
/// </summary>
public static class ProtoJsonWriter
{
    public static string Format(IMessage message)
    {
        var text = new StringBuilder();
        Append(text, message);
        return text.ToString();
    }

    public static void Append(StringBuilder text, IMessage message)
    {
        text.Append('{');
        var first = true;
        foreach (var field in message.Descriptor.Fields.InDeclarationOrder())
        {
            var value = field.Accessor.GetValue(message);
            if (field.IsRepeated)
            {
                var list = (IList)value;
                if (list.Count == 0) continue;
                Name(text, field, ref first);
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Value(text, field, list[i]!);
                }
                text.Append(']');
                continue;
            }
            // Fields with presence (messages, oneof members) show when set, even if empty or zero.
            if (field.HasPresence ? !field.Accessor.HasValue(message) : IsZero(field, value)) continue;
            Name(text, field, ref first);
            Value(text, field, value);
        }
        text.Append('}');
    }

    private static void Name(StringBuilder text, FieldDescriptor field, ref bool first)
    {
        if (!first) text.Append(',');
        first = false;
        GoJsonString.Append(text, field.Name);
        text.Append(':');
    }

    private static bool IsZero(FieldDescriptor field, object value) => field.FieldType switch
    {
        FieldType.Message or FieldType.Group => false,
        FieldType.Bool => !(bool)value,
        FieldType.String => ((string)value).Length == 0,
        FieldType.Bytes => ((ByteString)value).IsEmpty,
        FieldType.Enum => (int)value == 0,
        FieldType.Double => (double)value == 0,
        FieldType.Float => (float)value == 0,
        _ => Convert.ToDecimal(value, CultureInfo.InvariantCulture) == 0,
    };

    private static void Value(StringBuilder text, FieldDescriptor field, object value)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                Append(text, (IMessage)value);
                break;
            case FieldType.Bool:
                text.Append((bool)value ? "true" : "false");
                break;
            case FieldType.String:
                GoJsonString.Append(text, (string)value);
                break;
            case FieldType.Bytes:
                text.Append('"').Append(((ByteString)value).ToBase64()).Append('"');
                break;
            case FieldType.Enum:
                var number = (int)value;
                if (field.EnumType.FindValueByNumber(number) is { } known) GoJsonString.Append(text, known.Name);
                else text.Append(number.ToString(invariant));
                break;
            // JSON numbers cannot carry 64 bits exactly: proto3's JSON mapping quotes them.
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 or FieldType.UInt64 or FieldType.Fixed64:
                text.Append('"').Append(Convert.ToString(value, invariant)).Append('"');
                break;
            case FieldType.Double:
                text.Append(((double)value).ToString("R", invariant));
                break;
            case FieldType.Float:
                text.Append(((float)value).ToString("R", invariant));
                break;
            default:
                text.Append(Convert.ToString(value, invariant));
                break;
        }
    }
}
