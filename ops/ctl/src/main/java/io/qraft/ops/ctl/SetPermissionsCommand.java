package io.qraft.ops.ctl;

import io.qraft.api.StatusJson;
import io.qraft.api.v1.PermissionsInfo;
import io.qraft.api.v1.SetPermissionsRequest;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code set_permissions USER CONF WRITE READ}: the three patterns, as RabbitMQ's. */
@Command(name = "set_permissions", mixinStandardHelpOptions = true,
    description = "Sets a user's permissions: three regular expressions (RE2 syntax) over queue names, found "
        + "anywhere in the name (anchor them, e.g. '^orders\\.'); '' allows nothing, '.*' everything.")
final class SetPermissionsCommand extends CtlCommand {

    static final List<String> COLUMNS = List.of("user", "configure", "write", "read");

    @Parameters(index = "0", paramLabel = "USER", description = "User name.")
    private String user;

    @Parameters(index = "1", paramLabel = "CONF", description = "Queues the user may declare, delete and purge.")
    private String configure;

    @Parameters(index = "2", paramLabel = "WRITE", description = "Queues the user may publish to.")
    private String write;

    @Parameters(index = "3", paramLabel = "READ", description = "Queues the user may consume and get from, and ack.")
    private String read;

    @Override
    protected void run(ClusterClient client, Output output) {
        PermissionsInfo p = client.admin(admin -> admin.setPermissions(SetPermissionsRequest.newBuilder()
            .setUser(user).setConfigure(configure).setWrite(write).setRead(read).build()));
        output.row(COLUMNS, row(p));
    }

    static Map<String, Object> row(PermissionsInfo permissions) {
        return StatusJson.fields(permissions);
    }
}
