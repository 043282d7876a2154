// Socket filters (SEC "socket") on a packet socket lmp opens on --interface.
#include <arpa/inet.h>
#include <bpf/libbpf.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <cerrno>

#include "loader/attach_targets.h"
#include "loader/bpf_object_handle.h"

namespace lmp::loader {
namespace {

// The packet socket the filter runs on; closing it detaches the filter.
class SocketFilterAttachment : public Attachment {
 public:
  explicit SocketFilterAttachment(UniqueFd socket) : socket_(std::move(socket)) {}

 private:
  UniqueFd socket_;
};

ExitCode code_for(int err) {
  return err == EPERM || err == EACCES ? ExitCode::kPermission : ExitCode::kKernel;
}

}  // namespace

Result<std::unique_ptr<Attachment>> attach_socket_filter(bpf_program* program,
                                                         const std::string& interface) {
  if (interface.empty())
    return fail(ExitCode::kUsage,
                "a socket filter needs a network interface: pass --interface IFACE",
                "e.g. lmp run --interface lo PACKAGE");
  unsigned index = if_nametoindex(interface.c_str());
  if (index == 0)
    return fail(ExitCode::kNotFound, "no network interface named " + interface,
                "list them with: ip link");
  UniqueFd socket(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL)));
  if (!socket) {
    int err = errno;
    return fail(code_for(err), "cannot open a packet socket: " + libbpf_error_text(err));
  }
  // Nobody reads the socket: packets the filter keeps only fill a small receive queue.
  int small = 1;  // the kernel rounds up to its minimum
  setsockopt(socket.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
  sockaddr_ll address{};
  address.sll_family = AF_PACKET;
  address.sll_protocol = htons(ETH_P_ALL);
  address.sll_ifindex = static_cast<int>(index);
  if (bind(socket.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    int err = errno;
    return fail(code_for(err),
                "cannot bind a packet socket to " + interface + ": " + libbpf_error_text(err));
  }
  int program_fd = bpf_program__fd(program);
  if (setsockopt(socket.get(), SOL_SOCKET, SO_ATTACH_BPF, &program_fd, sizeof(program_fd)) != 0) {
    int err = errno;
    return fail(code_for(err), "SO_ATTACH_BPF on " + interface + ": " + libbpf_error_text(err));
  }
  return std::make_unique<SocketFilterAttachment>(std::move(socket));
}

}  // namespace lmp::loader
