// Code generated via abigen V2 - DO NOT EDIT.
// This file is a generated binding and any manual changes will be lost.

package contracts

import (
	"bytes"
	"errors"
	"math/big"

	"github.com/ethereum/go-ethereum/accounts/abi"
	"github.com/ethereum/go-ethereum/accounts/abi/bind/v2"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
)

// Reference imports to suppress errors if they are not otherwise used.
var (
	_ = bytes.Equal
	_ = errors.New
	_ = big.NewInt
	_ = common.Big1
	_ = types.BloomLookup
	_ = abi.ConvertType
)

// DrillBridgeMetaData contains all meta data concerning the DrillBridge contract.
var DrillBridgeMetaData = bind.MetaData{
	ABI: "[{\"inputs\":[{\"internalType\":\"address\",\"name\":\"admin\",\"type\":\"address\"},{\"internalType\":\"address\",\"name\":\"guardian\",\"type\":\"address\"}],\"stateMutability\":\"nonpayable\",\"type\":\"constructor\"},{\"inputs\":[],\"name\":\"AccessControlBadConfirmation\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"internalType\":\"bytes32\",\"name\":\"neededRole\",\"type\":\"bytes32\"}],\"name\":\"AccessControlUnauthorizedAccount\",\"type\":\"error\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"}],\"name\":\"AlreadyReleased\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BridgeFrozen\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"BridgeNotFrozen\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"InvalidAttestation\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"TransferFailed\",\"type\":\"error\"},{\"inputs\":[],\"name\":\"ZeroAddress\",\"type\":\"error\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Frozen\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"address\",\"name\":\"from\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"LiquidityAdded\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"indexed\":false,\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"}],\"name\":\"Released\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"previousAdminRole\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"newAdminRole\",\"type\":\"bytes32\"}],\"name\":\"RoleAdminChanged\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleGranted\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":true,\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"},{\"indexed\":true,\"internalType\":\"address\",\"name\":\"sender\",\"type\":\"address\"}],\"name\":\"RoleRevoked\",\"type\":\"event\"},{\"anonymous\":false,\"inputs\":[{\"indexed\":false,\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"Unfrozen\",\"type\":\"event\"},{\"inputs\":[],\"name\":\"DEFAULT_ADMIN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"GUARDIAN_ROLE\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"}],\"name\":\"attestation\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"freeze\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"frozen\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"}],\"name\":\"getRoleAdmin\",\"outputs\":[{\"internalType\":\"bytes32\",\"name\":\"\",\"type\":\"bytes32\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"grantRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"hasRole\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"address\",\"name\":\"to\",\"type\":\"address\"},{\"internalType\":\"uint256\",\"name\":\"amount\",\"type\":\"uint256\"},{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"},{\"internalType\":\"bytes32\",\"name\":\"att\",\"type\":\"bytes32\"}],\"name\":\"release\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"transferId\",\"type\":\"bytes32\"}],\"name\":\"released\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"callerConfirmation\",\"type\":\"address\"}],\"name\":\"renounceRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes32\",\"name\":\"role\",\"type\":\"bytes32\"},{\"internalType\":\"address\",\"name\":\"account\",\"type\":\"address\"}],\"name\":\"revokeRole\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"inputs\":[{\"internalType\":\"bytes4\",\"name\":\"interfaceId\",\"type\":\"bytes4\"}],\"name\":\"supportsInterface\",\"outputs\":[{\"internalType\":\"bool\",\"name\":\"\",\"type\":\"bool\"}],\"stateMutability\":\"view\",\"type\":\"function\"},{\"inputs\":[],\"name\":\"unfreeze\",\"outputs\":[],\"stateMutability\":\"nonpayable\",\"type\":\"function\"},{\"stateMutability\":\"payable\",\"type\":\"receive\"}]",
	ID:  "DrillBridge",
	Bin: "0x608060405234801561000f575f5ffd5b50604051610a79380380610a7983398101604081905261002e91610156565b6001600160a01b0382166100555760405163d92e233d60e01b815260040160405180910390fd5b61005f5f83610092565b5061008a7f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a504182610092565b505050610187565b5f828152602081815260408083206001600160a01b038516845290915281205460ff16610132575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556100ea3390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a4506001610135565b505f5b92915050565b80516001600160a01b0381168114610151575f5ffd5b919050565b5f5f60408385031215610167575f5ffd5b6101708361013b565b915061017e6020840161013b565b90509250929050565b6108e5806101945f395ff3fe6080604052600436106100dc575f3560e01c80634e92334a1161007c57806391d148541161005757806391d148541461027c578063a217fddf1461029b578063a6d68ecd146102ae578063d547741f146102dc575f5ffd5b80634e92334a1461023557806362a5af3b146102545780636a28f00014610268575f5ffd5b8063248a9ca3116100b7578063248a9ca31461019457806324ea54f4146101c25780632f2ff15d146101f557806336568abe14610216575f5ffd5b806301ffc9a71461011c578063054f7d9c14610150578063056d9ff914610167575f5ffd5b366101185760405134815233907fc17cea59c2955cb181b03393209566960365771dbba9dc3d510180e7cb3120889060200160405180910390a2005b5f5ffd5b348015610127575f5ffd5b5061013b6101363660046107e8565b6102fb565b60405190151581526020015b60405180910390f35b34801561015b575f5ffd5b5060015460ff1661013b565b348015610172575f5ffd5b50610186610181366004610831565b610331565b604051908152602001610147565b34801561019f575f5ffd5b506101866101ae366004610861565b5f9081526020819052604090206001015490565b3480156101cd575f5ffd5b506101867f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a504181565b348015610200575f5ffd5b5061021461020f366004610878565b61037e565b005b348015610221575f5ffd5b50610214610230366004610878565b6103a8565b348015610240575f5ffd5b5061021461024f3660046108a2565b6103e0565b34801561025f575f5ffd5b50610214610562565b348015610273575f5ffd5b506102146105f3565b348015610287575f5ffd5b5061013b610296366004610878565b61065a565b3480156102a6575f5ffd5b506101865f81565b3480156102b9575f5ffd5b5061013b6102c8366004610861565b60026020525f908152604090205460ff1681565b3480156102e7575f5ffd5b506102146102f6366004610878565b610682565b5f6001600160e01b03198216637965db0b60e01b148061032b57506301ffc9a760e01b6001600160e01b03198316145b92915050565b604080513060208201526001600160a01b0385169181019190915260608101839052608081018290525f9060a0016040516020818303038152906040528051906020012090509392505050565b5f82815260208190526040902060010154610398816106a6565b6103a283836106b3565b50505050565b6001600160a01b03811633146103d15760405163334bd91960e11b815260040160405180910390fd5b6103db8282610742565b505050565b60015460ff1615610404576040516301015e4760e21b815260040160405180910390fd5b6001600160a01b03841661042b5760405163d92e233d60e01b815260040160405180910390fd5b5f8281526002602052604090205460ff161561046257604051633da4d47160e01b8152600481018390526024015b60405180910390fd5b61046d848484610331565b811461048c5760405163bd8ba84d60e01b815260040160405180910390fd5b5f8281526002602052604090819020805460ff19166001179055516001600160a01b0385169083907fc8fa66dff4b9073528c3f1bf21a8dc9a18fdf09847e88e96188bc953aef519f0906104e39087815260200190565b60405180910390a35f846001600160a01b0316846040515f6040518083038185875af1925050503d805f8114610534576040519150601f19603f3d011682016040523d82523d5f602084013e610539565b606091505b505090508061055b576040516312171d8360e31b815260040160405180910390fd5b5050505050565b7f55435dd261a4b9b3364963f7738a7a662ad9c84396d64be3365284bb7f0a504161058c816106a6565b60015460ff16156105b0576040516301015e4760e21b815260040160405180910390fd5b6001805460ff1916811790556040513381527f8a5c4736a33c7b7f29a2c34ea9ff9608afc5718d56f6fd6dcbd2d3711a1a4913906020015b60405180910390a150565b5f6105fd816106a6565b60015460ff16610620576040516341bd135b60e11b815260040160405180910390fd5b6001805460ff191690556040513381527f4feb53e305297ab8fb8f3420c95ea04737addc254a7270d8fc4605d2b9c61dba906020016105e8565b5f918252602082815260408084206001600160a01b0393909316845291905290205460ff1690565b5f8281526020819052604090206001015461069c816106a6565b6103a28383610742565b6106b081336107ab565b50565b5f6106be838361065a565b61073b575f838152602081815260408083206001600160a01b03861684529091529020805460ff191660011790556106f33390565b6001600160a01b0316826001600160a01b0316847f2f8788117e7eff1d82e926ec794901d17c78024a50270940304540a733656f0d60405160405180910390a450600161032b565b505f61032b565b5f61074d838361065a565b1561073b575f838152602081815260408083206001600160a01b0386168085529252808320805460ff1916905551339286917ff6391f5c32d9c69d2a47ea670b442974b53935d1edc7fd64eb21e047a839171b9190a450600161032b565b6107b5828261065a565b6107e45760405163e2517d3f60e01b81526001600160a01b038216600482015260248101839052604401610459565b5050565b5f602082840312156107f8575f5ffd5b81356001600160e01b03198116811461080f575f5ffd5b9392505050565b80356001600160a01b038116811461082c575f5ffd5b919050565b5f5f5f60608486031215610843575f5ffd5b61084c84610816565b95602085013595506040909401359392505050565b5f60208284031215610871575f5ffd5b5035919050565b5f5f60408385031215610889575f5ffd5b8235915061089960208401610816565b90509250929050565b5f5f5f5f608085870312156108b5575f5ffd5b6108be85610816565b96602086013596506040860135956060013594509250505056fea164736f6c6343000825000a",
}

// DrillBridge is an auto generated Go binding around an Ethereum contract.
type DrillBridge struct {
	abi abi.ABI
}

// GetABI returns the ABI associated with this contract binding.
func (c *DrillBridge) GetABI() abi.ABI {
	return c.abi
}

// NewDrillBridge creates a new instance of DrillBridge.
func NewDrillBridge() *DrillBridge {
	parsed, err := DrillBridgeMetaData.ParseABI()
	if err != nil {
		panic(errors.New("invalid ABI: " + err.Error()))
	}
	return &DrillBridge{abi: *parsed}
}

// Instance creates a wrapper for a deployed contract instance at the given address.
// Use this to create the instance object passed to abigen v2 library functions Call, Transact, etc.
func (c *DrillBridge) Instance(backend bind.ContractBackend, addr common.Address) *bind.BoundContract {
	return bind.NewBoundContract(addr, c.abi, backend, backend, backend)
}

// PackConstructor is the Go binding used to pack the parameters required for
// contract deployment.
//
// Solidity: constructor(address admin, address guardian) returns()
func (drillBridge *DrillBridge) PackConstructor(admin common.Address, guardian common.Address) []byte {
	enc, err := drillBridge.abi.Pack("", admin, guardian)
	if err != nil {
		panic(err)
	}
	return enc
}

// PackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (drillBridge *DrillBridge) PackDEFAULTADMINROLE() []byte {
	enc, err := drillBridge.abi.Pack("DEFAULT_ADMIN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackDEFAULTADMINROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa217fddf.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (drillBridge *DrillBridge) TryPackDEFAULTADMINROLE() ([]byte, error) {
	return drillBridge.abi.Pack("DEFAULT_ADMIN_ROLE")
}

// UnpackDEFAULTADMINROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa217fddf.
//
// Solidity: function DEFAULT_ADMIN_ROLE() view returns(bytes32)
func (drillBridge *DrillBridge) UnpackDEFAULTADMINROLE(data []byte) ([32]byte, error) {
	out, err := drillBridge.abi.Unpack("DEFAULT_ADMIN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGUARDIANROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x24ea54f4.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (drillBridge *DrillBridge) PackGUARDIANROLE() []byte {
	enc, err := drillBridge.abi.Pack("GUARDIAN_ROLE")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGUARDIANROLE is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x24ea54f4.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (drillBridge *DrillBridge) TryPackGUARDIANROLE() ([]byte, error) {
	return drillBridge.abi.Pack("GUARDIAN_ROLE")
}

// UnpackGUARDIANROLE is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x24ea54f4.
//
// Solidity: function GUARDIAN_ROLE() view returns(bytes32)
func (drillBridge *DrillBridge) UnpackGUARDIANROLE(data []byte) ([32]byte, error) {
	out, err := drillBridge.abi.Unpack("GUARDIAN_ROLE", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackAttestation is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x056d9ff9.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function attestation(address to, uint256 amount, bytes32 transferId) view returns(bytes32)
func (drillBridge *DrillBridge) PackAttestation(to common.Address, amount *big.Int, transferId [32]byte) []byte {
	enc, err := drillBridge.abi.Pack("attestation", to, amount, transferId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackAttestation is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x056d9ff9.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function attestation(address to, uint256 amount, bytes32 transferId) view returns(bytes32)
func (drillBridge *DrillBridge) TryPackAttestation(to common.Address, amount *big.Int, transferId [32]byte) ([]byte, error) {
	return drillBridge.abi.Pack("attestation", to, amount, transferId)
}

// UnpackAttestation is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x056d9ff9.
//
// Solidity: function attestation(address to, uint256 amount, bytes32 transferId) view returns(bytes32)
func (drillBridge *DrillBridge) UnpackAttestation(data []byte) ([32]byte, error) {
	out, err := drillBridge.abi.Unpack("attestation", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackFreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x62a5af3b.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function freeze() returns()
func (drillBridge *DrillBridge) PackFreeze() []byte {
	enc, err := drillBridge.abi.Pack("freeze")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackFreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x62a5af3b.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function freeze() returns()
func (drillBridge *DrillBridge) TryPackFreeze() ([]byte, error) {
	return drillBridge.abi.Pack("freeze")
}

// PackFrozen is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x054f7d9c.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function frozen() view returns(bool)
func (drillBridge *DrillBridge) PackFrozen() []byte {
	enc, err := drillBridge.abi.Pack("frozen")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackFrozen is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x054f7d9c.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function frozen() view returns(bool)
func (drillBridge *DrillBridge) TryPackFrozen() ([]byte, error) {
	return drillBridge.abi.Pack("frozen")
}

// UnpackFrozen is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x054f7d9c.
//
// Solidity: function frozen() view returns(bool)
func (drillBridge *DrillBridge) UnpackFrozen(data []byte) (bool, error) {
	out, err := drillBridge.abi.Unpack("frozen", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (drillBridge *DrillBridge) PackGetRoleAdmin(role [32]byte) []byte {
	enc, err := drillBridge.abi.Pack("getRoleAdmin", role)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGetRoleAdmin is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x248a9ca3.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (drillBridge *DrillBridge) TryPackGetRoleAdmin(role [32]byte) ([]byte, error) {
	return drillBridge.abi.Pack("getRoleAdmin", role)
}

// UnpackGetRoleAdmin is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x248a9ca3.
//
// Solidity: function getRoleAdmin(bytes32 role) view returns(bytes32)
func (drillBridge *DrillBridge) UnpackGetRoleAdmin(data []byte) ([32]byte, error) {
	out, err := drillBridge.abi.Unpack("getRoleAdmin", data)
	if err != nil {
		return *new([32]byte), err
	}
	out0 := *abi.ConvertType(out[0], new([32]byte)).(*[32]byte)
	return out0, nil
}

// PackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (drillBridge *DrillBridge) PackGrantRole(role [32]byte, account common.Address) []byte {
	enc, err := drillBridge.abi.Pack("grantRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackGrantRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x2f2ff15d.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function grantRole(bytes32 role, address account) returns()
func (drillBridge *DrillBridge) TryPackGrantRole(role [32]byte, account common.Address) ([]byte, error) {
	return drillBridge.abi.Pack("grantRole", role, account)
}

// PackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (drillBridge *DrillBridge) PackHasRole(role [32]byte, account common.Address) []byte {
	enc, err := drillBridge.abi.Pack("hasRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackHasRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x91d14854.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (drillBridge *DrillBridge) TryPackHasRole(role [32]byte, account common.Address) ([]byte, error) {
	return drillBridge.abi.Pack("hasRole", role, account)
}

// UnpackHasRole is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x91d14854.
//
// Solidity: function hasRole(bytes32 role, address account) view returns(bool)
func (drillBridge *DrillBridge) UnpackHasRole(data []byte) (bool, error) {
	out, err := drillBridge.abi.Unpack("hasRole", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackRelease is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4e92334a.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function release(address to, uint256 amount, bytes32 transferId, bytes32 att) returns()
func (drillBridge *DrillBridge) PackRelease(to common.Address, amount *big.Int, transferId [32]byte, att [32]byte) []byte {
	enc, err := drillBridge.abi.Pack("release", to, amount, transferId, att)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRelease is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x4e92334a.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function release(address to, uint256 amount, bytes32 transferId, bytes32 att) returns()
func (drillBridge *DrillBridge) TryPackRelease(to common.Address, amount *big.Int, transferId [32]byte, att [32]byte) ([]byte, error) {
	return drillBridge.abi.Pack("release", to, amount, transferId, att)
}

// PackReleased is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa6d68ecd.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function released(bytes32 transferId) view returns(bool)
func (drillBridge *DrillBridge) PackReleased(transferId [32]byte) []byte {
	enc, err := drillBridge.abi.Pack("released", transferId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackReleased is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xa6d68ecd.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function released(bytes32 transferId) view returns(bool)
func (drillBridge *DrillBridge) TryPackReleased(transferId [32]byte) ([]byte, error) {
	return drillBridge.abi.Pack("released", transferId)
}

// UnpackReleased is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0xa6d68ecd.
//
// Solidity: function released(bytes32 transferId) view returns(bool)
func (drillBridge *DrillBridge) UnpackReleased(data []byte) (bool, error) {
	out, err := drillBridge.abi.Unpack("released", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (drillBridge *DrillBridge) PackRenounceRole(role [32]byte, callerConfirmation common.Address) []byte {
	enc, err := drillBridge.abi.Pack("renounceRole", role, callerConfirmation)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRenounceRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x36568abe.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function renounceRole(bytes32 role, address callerConfirmation) returns()
func (drillBridge *DrillBridge) TryPackRenounceRole(role [32]byte, callerConfirmation common.Address) ([]byte, error) {
	return drillBridge.abi.Pack("renounceRole", role, callerConfirmation)
}

// PackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (drillBridge *DrillBridge) PackRevokeRole(role [32]byte, account common.Address) []byte {
	enc, err := drillBridge.abi.Pack("revokeRole", role, account)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackRevokeRole is the Go binding used to pack the parameters required for calling
// the contract method with ID 0xd547741f.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function revokeRole(bytes32 role, address account) returns()
func (drillBridge *DrillBridge) TryPackRevokeRole(role [32]byte, account common.Address) ([]byte, error) {
	return drillBridge.abi.Pack("revokeRole", role, account)
}

// PackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (drillBridge *DrillBridge) PackSupportsInterface(interfaceId [4]byte) []byte {
	enc, err := drillBridge.abi.Pack("supportsInterface", interfaceId)
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackSupportsInterface is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x01ffc9a7.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (drillBridge *DrillBridge) TryPackSupportsInterface(interfaceId [4]byte) ([]byte, error) {
	return drillBridge.abi.Pack("supportsInterface", interfaceId)
}

// UnpackSupportsInterface is the Go binding that unpacks the parameters returned
// from invoking the contract method with ID 0x01ffc9a7.
//
// Solidity: function supportsInterface(bytes4 interfaceId) view returns(bool)
func (drillBridge *DrillBridge) UnpackSupportsInterface(data []byte) (bool, error) {
	out, err := drillBridge.abi.Unpack("supportsInterface", data)
	if err != nil {
		return *new(bool), err
	}
	out0 := *abi.ConvertType(out[0], new(bool)).(*bool)
	return out0, nil
}

// PackUnfreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6a28f000.  This method will panic if any
// invalid/nil inputs are passed.
//
// Solidity: function unfreeze() returns()
func (drillBridge *DrillBridge) PackUnfreeze() []byte {
	enc, err := drillBridge.abi.Pack("unfreeze")
	if err != nil {
		panic(err)
	}
	return enc
}

// TryPackUnfreeze is the Go binding used to pack the parameters required for calling
// the contract method with ID 0x6a28f000.  This method will return an error
// if any inputs are invalid/nil.
//
// Solidity: function unfreeze() returns()
func (drillBridge *DrillBridge) TryPackUnfreeze() ([]byte, error) {
	return drillBridge.abi.Pack("unfreeze")
}

// DrillBridgeFrozen represents a Frozen event raised by the DrillBridge contract.
type DrillBridgeFrozen struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillBridgeFrozenEventName = "Frozen"

// ContractEventName returns the user-defined event name.
func (DrillBridgeFrozen) ContractEventName() string {
	return DrillBridgeFrozenEventName
}

// UnpackFrozenEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Frozen(address account)
func (drillBridge *DrillBridge) UnpackFrozenEvent(log *types.Log) (*DrillBridgeFrozen, error) {
	event := "Frozen"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeFrozen)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillBridgeLiquidityAdded represents a LiquidityAdded event raised by the DrillBridge contract.
type DrillBridgeLiquidityAdded struct {
	From   common.Address
	Amount *big.Int
	Raw    *types.Log // Blockchain specific contextual infos
}

const DrillBridgeLiquidityAddedEventName = "LiquidityAdded"

// ContractEventName returns the user-defined event name.
func (DrillBridgeLiquidityAdded) ContractEventName() string {
	return DrillBridgeLiquidityAddedEventName
}

// UnpackLiquidityAddedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event LiquidityAdded(address indexed from, uint256 amount)
func (drillBridge *DrillBridge) UnpackLiquidityAddedEvent(log *types.Log) (*DrillBridgeLiquidityAdded, error) {
	event := "LiquidityAdded"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeLiquidityAdded)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillBridgeReleased represents a Released event raised by the DrillBridge contract.
type DrillBridgeReleased struct {
	TransferId [32]byte
	To         common.Address
	Amount     *big.Int
	Raw        *types.Log // Blockchain specific contextual infos
}

const DrillBridgeReleasedEventName = "Released"

// ContractEventName returns the user-defined event name.
func (DrillBridgeReleased) ContractEventName() string {
	return DrillBridgeReleasedEventName
}

// UnpackReleasedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Released(bytes32 indexed transferId, address indexed to, uint256 amount)
func (drillBridge *DrillBridge) UnpackReleasedEvent(log *types.Log) (*DrillBridgeReleased, error) {
	event := "Released"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeReleased)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillBridgeRoleAdminChanged represents a RoleAdminChanged event raised by the DrillBridge contract.
type DrillBridgeRoleAdminChanged struct {
	Role              [32]byte
	PreviousAdminRole [32]byte
	NewAdminRole      [32]byte
	Raw               *types.Log // Blockchain specific contextual infos
}

const DrillBridgeRoleAdminChangedEventName = "RoleAdminChanged"

// ContractEventName returns the user-defined event name.
func (DrillBridgeRoleAdminChanged) ContractEventName() string {
	return DrillBridgeRoleAdminChangedEventName
}

// UnpackRoleAdminChangedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleAdminChanged(bytes32 indexed role, bytes32 indexed previousAdminRole, bytes32 indexed newAdminRole)
func (drillBridge *DrillBridge) UnpackRoleAdminChangedEvent(log *types.Log) (*DrillBridgeRoleAdminChanged, error) {
	event := "RoleAdminChanged"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeRoleAdminChanged)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillBridgeRoleGranted represents a RoleGranted event raised by the DrillBridge contract.
type DrillBridgeRoleGranted struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillBridgeRoleGrantedEventName = "RoleGranted"

// ContractEventName returns the user-defined event name.
func (DrillBridgeRoleGranted) ContractEventName() string {
	return DrillBridgeRoleGrantedEventName
}

// UnpackRoleGrantedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)
func (drillBridge *DrillBridge) UnpackRoleGrantedEvent(log *types.Log) (*DrillBridgeRoleGranted, error) {
	event := "RoleGranted"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeRoleGranted)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillBridgeRoleRevoked represents a RoleRevoked event raised by the DrillBridge contract.
type DrillBridgeRoleRevoked struct {
	Role    [32]byte
	Account common.Address
	Sender  common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillBridgeRoleRevokedEventName = "RoleRevoked"

// ContractEventName returns the user-defined event name.
func (DrillBridgeRoleRevoked) ContractEventName() string {
	return DrillBridgeRoleRevokedEventName
}

// UnpackRoleRevokedEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event RoleRevoked(bytes32 indexed role, address indexed account, address indexed sender)
func (drillBridge *DrillBridge) UnpackRoleRevokedEvent(log *types.Log) (*DrillBridgeRoleRevoked, error) {
	event := "RoleRevoked"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeRoleRevoked)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// DrillBridgeUnfrozen represents a Unfrozen event raised by the DrillBridge contract.
type DrillBridgeUnfrozen struct {
	Account common.Address
	Raw     *types.Log // Blockchain specific contextual infos
}

const DrillBridgeUnfrozenEventName = "Unfrozen"

// ContractEventName returns the user-defined event name.
func (DrillBridgeUnfrozen) ContractEventName() string {
	return DrillBridgeUnfrozenEventName
}

// UnpackUnfrozenEvent is the Go binding that unpacks the event data emitted
// by contract.
//
// Solidity: event Unfrozen(address account)
func (drillBridge *DrillBridge) UnpackUnfrozenEvent(log *types.Log) (*DrillBridgeUnfrozen, error) {
	event := "Unfrozen"
	if len(log.Topics) == 0 {
		return nil, bind.ErrNoEventSignature
	}
	if log.Topics[0] != drillBridge.abi.Events[event].ID {
		return nil, bind.ErrEventSignatureMismatch
	}
	out := new(DrillBridgeUnfrozen)
	if len(log.Data) > 0 {
		if err := drillBridge.abi.UnpackIntoInterface(out, event, log.Data); err != nil {
			return nil, err
		}
	}
	var indexed abi.Arguments
	for _, arg := range drillBridge.abi.Events[event].Inputs {
		if arg.Indexed {
			indexed = append(indexed, arg)
		}
	}
	if err := abi.ParseTopics(out, indexed, log.Topics[1:]); err != nil {
		return nil, err
	}
	out.Raw = log
	return out, nil
}

// UnpackError attempts to decode the provided error data using user-defined
// error definitions.
func (drillBridge *DrillBridge) UnpackError(raw []byte) (any, error) {
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["AccessControlBadConfirmation"].ID.Bytes()[:4]) {
		return drillBridge.UnpackAccessControlBadConfirmationError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["AccessControlUnauthorizedAccount"].ID.Bytes()[:4]) {
		return drillBridge.UnpackAccessControlUnauthorizedAccountError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["AlreadyReleased"].ID.Bytes()[:4]) {
		return drillBridge.UnpackAlreadyReleasedError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["BridgeFrozen"].ID.Bytes()[:4]) {
		return drillBridge.UnpackBridgeFrozenError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["BridgeNotFrozen"].ID.Bytes()[:4]) {
		return drillBridge.UnpackBridgeNotFrozenError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["InvalidAttestation"].ID.Bytes()[:4]) {
		return drillBridge.UnpackInvalidAttestationError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["TransferFailed"].ID.Bytes()[:4]) {
		return drillBridge.UnpackTransferFailedError(raw[4:])
	}
	if bytes.Equal(raw[:4], drillBridge.abi.Errors["ZeroAddress"].ID.Bytes()[:4]) {
		return drillBridge.UnpackZeroAddressError(raw[4:])
	}
	return nil, errors.New("Unknown error")
}

// DrillBridgeAccessControlBadConfirmation represents a AccessControlBadConfirmation error raised by the DrillBridge contract.
type DrillBridgeAccessControlBadConfirmation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlBadConfirmation()
func DrillBridgeAccessControlBadConfirmationErrorID() common.Hash {
	return common.HexToHash("0x6697b23232a647058342c0724fe7c415cab25915b54e5dbc03f233173d37b41c")
}

// UnpackAccessControlBadConfirmationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlBadConfirmation()
func (drillBridge *DrillBridge) UnpackAccessControlBadConfirmationError(raw []byte) (*DrillBridgeAccessControlBadConfirmation, error) {
	out := new(DrillBridgeAccessControlBadConfirmation)
	if err := drillBridge.abi.UnpackIntoInterface(out, "AccessControlBadConfirmation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeAccessControlUnauthorizedAccount represents a AccessControlUnauthorizedAccount error raised by the DrillBridge contract.
type DrillBridgeAccessControlUnauthorizedAccount struct {
	Account    common.Address
	NeededRole [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func DrillBridgeAccessControlUnauthorizedAccountErrorID() common.Hash {
	return common.HexToHash("0xe2517d3fbfae6f8515ef5ff1ccedc3933ab0cbbda0b492c06eb54ad10ef03b3e")
}

// UnpackAccessControlUnauthorizedAccountError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AccessControlUnauthorizedAccount(address account, bytes32 neededRole)
func (drillBridge *DrillBridge) UnpackAccessControlUnauthorizedAccountError(raw []byte) (*DrillBridgeAccessControlUnauthorizedAccount, error) {
	out := new(DrillBridgeAccessControlUnauthorizedAccount)
	if err := drillBridge.abi.UnpackIntoInterface(out, "AccessControlUnauthorizedAccount", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeAlreadyReleased represents a AlreadyReleased error raised by the DrillBridge contract.
type DrillBridgeAlreadyReleased struct {
	TransferId [32]byte
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error AlreadyReleased(bytes32 transferId)
func DrillBridgeAlreadyReleasedErrorID() common.Hash {
	return common.HexToHash("0x3da4d471dc7ed2bd40b0494adae76aec43aea8992cc497e9920dab681122a299")
}

// UnpackAlreadyReleasedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error AlreadyReleased(bytes32 transferId)
func (drillBridge *DrillBridge) UnpackAlreadyReleasedError(raw []byte) (*DrillBridgeAlreadyReleased, error) {
	out := new(DrillBridgeAlreadyReleased)
	if err := drillBridge.abi.UnpackIntoInterface(out, "AlreadyReleased", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeBridgeFrozen represents a BridgeFrozen error raised by the DrillBridge contract.
type DrillBridgeBridgeFrozen struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BridgeFrozen()
func DrillBridgeBridgeFrozenErrorID() common.Hash {
	return common.HexToHash("0x0405791c8c9804012d631ada261f9124bb5f2d25be98aeabc8955616af63dfe7")
}

// UnpackBridgeFrozenError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BridgeFrozen()
func (drillBridge *DrillBridge) UnpackBridgeFrozenError(raw []byte) (*DrillBridgeBridgeFrozen, error) {
	out := new(DrillBridgeBridgeFrozen)
	if err := drillBridge.abi.UnpackIntoInterface(out, "BridgeFrozen", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeBridgeNotFrozen represents a BridgeNotFrozen error raised by the DrillBridge contract.
type DrillBridgeBridgeNotFrozen struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error BridgeNotFrozen()
func DrillBridgeBridgeNotFrozenErrorID() common.Hash {
	return common.HexToHash("0x837a26b60433316e54497b39d0f31dab3d1c2513e3efa6aabe09de1ad594a1fe")
}

// UnpackBridgeNotFrozenError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error BridgeNotFrozen()
func (drillBridge *DrillBridge) UnpackBridgeNotFrozenError(raw []byte) (*DrillBridgeBridgeNotFrozen, error) {
	out := new(DrillBridgeBridgeNotFrozen)
	if err := drillBridge.abi.UnpackIntoInterface(out, "BridgeNotFrozen", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeInvalidAttestation represents a InvalidAttestation error raised by the DrillBridge contract.
type DrillBridgeInvalidAttestation struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error InvalidAttestation()
func DrillBridgeInvalidAttestationErrorID() common.Hash {
	return common.HexToHash("0xbd8ba84d4af301e1b110d1f93f8971934a3ba3afdf4200e7f884f76f2dd27077")
}

// UnpackInvalidAttestationError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error InvalidAttestation()
func (drillBridge *DrillBridge) UnpackInvalidAttestationError(raw []byte) (*DrillBridgeInvalidAttestation, error) {
	out := new(DrillBridgeInvalidAttestation)
	if err := drillBridge.abi.UnpackIntoInterface(out, "InvalidAttestation", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeTransferFailed represents a TransferFailed error raised by the DrillBridge contract.
type DrillBridgeTransferFailed struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error TransferFailed()
func DrillBridgeTransferFailedErrorID() common.Hash {
	return common.HexToHash("0x90b8ec1877afffd816d05d9b13947f3ff18ec5851c38bad15ec2b710f92391b1")
}

// UnpackTransferFailedError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error TransferFailed()
func (drillBridge *DrillBridge) UnpackTransferFailedError(raw []byte) (*DrillBridgeTransferFailed, error) {
	out := new(DrillBridgeTransferFailed)
	if err := drillBridge.abi.UnpackIntoInterface(out, "TransferFailed", raw); err != nil {
		return nil, err
	}
	return out, nil
}

// DrillBridgeZeroAddress represents a ZeroAddress error raised by the DrillBridge contract.
type DrillBridgeZeroAddress struct {
}

// ErrorID returns the hash of canonical representation of the error's signature.
//
// Solidity: error ZeroAddress()
func DrillBridgeZeroAddressErrorID() common.Hash {
	return common.HexToHash("0xd92e233df2717d4a40030e20904abd27b68fcbeede117eaaccbbdac9618c8c73")
}

// UnpackZeroAddressError is the Go binding used to decode the provided
// error data into the corresponding Go error struct.
//
// Solidity: error ZeroAddress()
func (drillBridge *DrillBridge) UnpackZeroAddressError(raw []byte) (*DrillBridgeZeroAddress, error) {
	out := new(DrillBridgeZeroAddress)
	if err := drillBridge.abi.UnpackIntoInterface(out, "ZeroAddress", raw); err != nil {
		return nil, err
	}
	return out, nil
}
