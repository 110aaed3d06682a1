#pragma once
// What the collector's HDF5 writer and its reader share: handles that close themselves, the
// string type of the files' texts, and how an attribute's name becomes a link name and back.

#include <string>
#include <string_view>
#include <utility>

#include <hdf5.h>

namespace mas::sims {

/// An HDF5 handle, closed with its own close function when it goes.
class Hdf5Handle {
public:
    /// Throws mas::Error(`failure`) for a negative `id` (the call that made it failed).
    Hdf5Handle(hid_t id, herr_t (*close)(hid_t), const std::string& failure);
    Hdf5Handle(const Hdf5Handle&) = delete;
    Hdf5Handle& operator=(const Hdf5Handle&) = delete;
    Hdf5Handle(Hdf5Handle&& other) noexcept : id_(std::exchange(other.id_, -1)), close_(other.close_) {}
    Hdf5Handle& operator=(Hdf5Handle&&) = delete;
    ~Hdf5Handle() {
        if (id_ >= 0) close_(id_);
    }
    [[nodiscard]] hid_t get() const noexcept { return id_; }
    /// Closes now, throwing mas::Error(`failure`) if that fails (a file's close writes what is
    /// buffered).
    void close(const std::string& failure);

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

/// The type of the files' texts: variable-length UTF-8 strings.
[[nodiscard]] Hdf5Handle utf8_text_type();

/// An attribute's name as a link name: '/' separates groups and "." is the group itself, so '/'
/// is written as %2F and '%' as %25; "" is %00 and "." is %2E.
[[nodiscard]] std::string link_name(std::string_view attr);
/// The attribute name a link name stands for: link_name() undone.
[[nodiscard]] std::string attribute_name(std::string_view link);

}  // namespace mas::sims
